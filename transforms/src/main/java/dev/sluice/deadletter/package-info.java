/**
 * The dead-letter record that every Sluice transform routes bad input to. A dead letter keeps the
 * original payload, where it came from, the step that rejected it and why, so that nothing is ever
 * silently dropped.
 */
package dev.sluice.deadletter;
