package dev.engram.bridge.core;

import jakarta.inject.Qualifier;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Qualifies the general-purpose types the bridge takes from Guice ({@code Ticker}, {@code
 * Clock}, {@code ScheduledExecutorService}, the handler {@code Executor}, {@code Random}), so
 * that an application's own bindings of those types are neither used nor disturbed. See {@link
 * EngramBridgeModule}.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD})
public @interface ForEngramBridge {}
