package dev.vista.refresh;

/**
 * What a refresh is known to include: every row of the watermark table with an id up to {@code id}, as that table
 * was then ({@code baseFilenode}: a TRUNCATE gives the table a new file, and voids the watermark).
 */
record Watermark(long id, long baseFilenode) {
}
