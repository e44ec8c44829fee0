package io.dnsupdate.cache;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Loading through a Caffeine {@link AsyncCache} on the caller's own thread: the cache holds a
 * future per key, so concurrent callers for one key wait for one load, and the load (a Secret read,
 * a SubjectAccessReview, a DNS query) runs outside the cache's locks, so a slow one never holds up
 * other keys or evictions, as a load inside a synchronous cache's {@code get(key, loader)} would. A
 * failed load is not kept: the callers waiting for it see the same failure, the next caller loads
 * again.
 */
public final class Caches {
  private Caches() {}

  /** Makes a value, or fails with {@code X}. */
  @FunctionalInterface
  public interface Loader<V, X extends Exception> {
    V load() throws X;
  }

  /** Caffeine's time read from {@code clock}, so a test that moves its clock moves expiry too. */
  public static Ticker ticker(Clock clock) {
    return () -> {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
  }

  /**
   * The value for {@code key}: the cached one, the one another caller is loading, or one loaded
   * now.
   *
   * @throws X when the load fails (this caller's, or the one it waited for)
   */
  public static <K, V, X extends Exception> V get(
      AsyncCache<K, V> cache, K key, Loader<? extends V, X> loader) throws X {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> present = cache.get(key, (k, executor) -> mine);
    return present == mine ? load(mine, loader) : await(present);
  }

  /**
   * Loads {@code key} again unless the cached value passes {@code keep}; a load already running for
   * it is waited for instead of starting another.
   *
   * @throws X when the load fails (this caller's, or the one it waited for)
   */
  public static <K, V, X extends Exception> V reload(
      AsyncCache<K, V> cache, K key, Predicate<? super V> keep, Loader<? extends V, X> loader)
      throws X {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> present =
        cache
            .asMap()
            .compute(
                key,
                (k, old) -> {
                  if (old == null) {
                    return mine;
                  }
                  if (!old.isDone()) {
                    return old; // being loaded right now
                  }
                  V value = old.isCompletedExceptionally() ? null : old.join();
                  return value != null && keep.test(value) ? old : mine;
                });
    return present == mine ? load(mine, loader) : await(present);
  }

  private static <V, X extends Exception> V load(
      CompletableFuture<V> mine, Loader<? extends V, X> loader) throws X {
    V value;
    try {
      value = loader.load();
    } catch (Throwable t) {
      mine.completeExceptionally(new Failed(t));
      throw t;
    }
    mine.complete(value);
    return value;
  }

  private static <V, X extends Exception> V await(CompletableFuture<V> present) throws X {
    try {
      return present.join();
    } catch (Failed f) {
      Throwable cause = f.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      // a checked failure can only be the X of the loader every caller of this cache passes
      @SuppressWarnings("unchecked")
      X x = (X) cause;
      throw x;
    }
  }

  /**
   * A failed load as its future holds it. A cancellation to Caffeine, which then drops the entry
   * without logging a warning and stack trace (it logs any other failure of an asynchronous load);
   * the caller reports the failure itself, and the waiters get the cause back.
   */
  private static final class Failed extends CancellationException {
    private static final long serialVersionUID = 1L;

    Failed(Throwable cause) {
      super("load failed");
      initCause(cause);
    }
  }
}
