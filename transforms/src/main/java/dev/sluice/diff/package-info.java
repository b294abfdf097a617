/**
 * Non-regression comparison of datasets: the multiset difference of two collections of records,
 * order-insensitive, the way teams otherwise hand-write it with a DataFrame {@code subtract}.
 */
package dev.sluice.diff;
