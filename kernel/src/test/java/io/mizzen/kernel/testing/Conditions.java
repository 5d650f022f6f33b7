package io.mizzen.kernel.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits on a condition with a deadline (never a fixed sleep), for tests on the JUnit thread. */
public final class Conditions {
  private Conditions() {}

  /** Polls {@code condition} until it holds, or fails with {@code what} after {@code timeout}. */
  public static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }

  /** Like {@link #await}, with the last observed value in the failure message. */
  public static <T> T awaitValue(String what, Duration timeout, Supplier<T> probe,
      java.util.function.Predicate<T> accept) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = probe.get();
    while (!accept.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for: " + what
            + "; last seen: " + last);
      }
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
      last = probe.get();
    }
    return last;
  }
}
