/**
 * The {@code sluice} command: one entry point whose subcommands run Sluice's pipelines on the
 * runner that {@code --runner} names (the DirectRunner by default). This is the only package that
 * knows which Beam runners exist.
 */
package dev.sluice.runners;
