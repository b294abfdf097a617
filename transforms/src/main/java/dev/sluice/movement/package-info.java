/**
 * Where the data moves: {@link dev.sluice.movement.ObserveShuffle} counts the elements and bytes in
 * and out of each shuffle, and {@link dev.sluice.movement.HeavyKeys} the heaviest keys of a keyed
 * step, as Beam counters that the run report ({@code summary.json}) reads back.
 */
package dev.sluice.movement;
