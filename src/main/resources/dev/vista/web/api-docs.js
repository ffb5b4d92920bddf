// Starts Swagger UI on the document the page names (data-spec): a file of its own, so the page needs no inline script.
window.addEventListener("load", () => {
    const root = document.getElementById("swagger-ui");
    window.ui = SwaggerUIBundle({
        url: root.dataset.spec,
        domNode: root,
        deepLinking: true,
        tryItOutEnabled: true,
        validatorUrl: null, // no badge fetched from swagger.io
        presets: [SwaggerUIBundle.presets.apis],
        layout: "BaseLayout",
    });
});
