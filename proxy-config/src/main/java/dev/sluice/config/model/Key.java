package dev.sluice.config.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Describes one configuration key: a record component of the model. The YAML key is the
 * component's name. The loader reads this annotation to apply defaults and bounds, and
 * {@code ConfigReference} reads it to generate the reference table in the README, so the
 * documentation is produced from the same place the behaviour is.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Key {

    /** One line for the reference table. */
    String doc();

    /** Default in YAML syntax ({@code "30s"}, {@code "16KiB"}); empty means "see {@link #absent}". */
    String value() default "";

    /** The key must be present. */
    boolean required() default false;

    /**
     * What an absent key means when it has no default value: for a nested section, empty
     * means "the section with all its defaults"; any other text means the key is left
     * {@code null} and this text says what that does (for example {@code "off"}).
     */
    String absent() default "";

    /** Inclusive lower bound for numbers. */
    double min() default Double.NEGATIVE_INFINITY;

    /** Inclusive upper bound for numbers. */
    double max() default Double.POSITIVE_INFINITY;
}
