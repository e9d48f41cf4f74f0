package com.skyfit.lake.core;

/** A core transform failed; its transaction was rolled back, so core and ops.transform_state are unchanged. */
public class TransformException extends RuntimeException {
    public TransformException(String message, Throwable cause) {
        super(message, cause);
    }
}
