/**
 * Churn labelling of Sparkify-format product event logs: parsing eventsim/Sparkify JSON lines into
 * schema-aware events, and labelling every event of a known user with whether that user churned.
 * The semantics are those of the widely used Sparkify churn preparation in its refactored DataFrame
 * form.
 */
package dev.sluice.churn;
