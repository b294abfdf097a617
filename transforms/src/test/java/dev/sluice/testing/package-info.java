/**
 * Test support shared by the feature packages: running one {@code DoFn} call outside a pipeline and
 * reading what it output and counted. Nothing here is used by main code.
 */
package dev.sluice.testing;
