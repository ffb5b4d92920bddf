// Shows each <time data-age> of a page (a refresh's moment, which the server writes in UTC) as how long ago it was,
// in the words the server uses elsewhere ("just now", "42 s ago", "12 min ago"), and keeps it current while the page
// stays open; the moment itself moves to the element's title. The server writes the moment rather than the age so
// that a page is the same until the next refresh, which lets the browser keep it and revalidate it (a 304).
(function () {
    'use strict';
    var times = document.querySelectorAll('time[data-age]');
    if (!times.length) {
        return;
    }

    // Formats.span, for whole seconds of at least 5
    function span(seconds) {
        if (seconds < 60 || seconds < 120 && seconds % 60 !== 0) {
            return seconds + ' s';
        }
        if (seconds < 3600 || seconds < 7200 && seconds % 3600 !== 0) {
            return Math.floor(seconds / 60) + ' min';
        }
        if (seconds < 86400 || seconds < 2 * 86400 && seconds % 86400 !== 0) {
            return Math.floor(seconds / 3600) + ' h';
        }
        var days = Math.floor(seconds / 86400);
        return days + (days === 1 ? ' day' : ' days');
    }

    function ago(milliseconds) {
        var seconds = Math.max(0, Math.floor(milliseconds / 1000));
        return seconds < 5 ? 'just now' : span(seconds) + ' ago';
    }

    function update() {
        var now = Date.now();
        times.forEach(function (time) {
            var at = Date.parse(time.getAttribute('datetime'));
            if (!isNaN(at)) {
                time.textContent = ago(now - at);
            }
        });
    }

    times.forEach(function (time) {
        time.title = time.textContent;
    });
    update();
    setInterval(update, 5000);
})();
