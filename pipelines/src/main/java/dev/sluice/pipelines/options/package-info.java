/**
 * Command-line parsing shared by Sluice's pipelines. Each pipeline's {@code parseOptions} goes
 * through it, so that Sluice's defaults are added in one place.
 */
package dev.sluice.pipelines.options;
