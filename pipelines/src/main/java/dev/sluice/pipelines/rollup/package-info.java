/** {@code sluice rollup}: rollups of rollups, through their visitors sketches. */
package dev.sluice.pipelines.rollup;
