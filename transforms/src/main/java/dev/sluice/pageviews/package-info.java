/**
 * Page-view rollups for web analytics: combiners for page views, distinct visitors and referrer
 * counts that runners can apply before the shuffle, for any key and any window.
 */
package dev.sluice.pageviews;
