/**
 * {@code s3://} paths for every Sluice input and output, through Beam's S3 {@code FileSystem}
 * ({@code beam-sdks-java-io-amazon-web-services2}). It adds what self-hosted S3-compatible stores
 * need (path-style addressing, a header some of them reject) and a check, before a pipeline runs,
 * that turns a wrong key, a missing bucket or an unreachable endpoint into one clear line.
 */
package dev.sluice.io.s3;
