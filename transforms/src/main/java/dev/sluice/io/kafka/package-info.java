/**
 * Kafka topics as Sluice inputs and outputs, through Beam's {@code KafkaIO}: the event-time policy
 * that gives a topic's records the time they say they happened, a watermark bounded by their
 * out-of-orderness, and an end (idle or drained) that closes every open window.
 */
package dev.sluice.io.kafka;
