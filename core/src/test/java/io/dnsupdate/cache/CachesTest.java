package io.dnsupdate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.dnsupdate.testkit.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CachesTest {
  private final MutableClock clock = MutableClock.at("2025-06-01T08:00:00Z");
  private final AsyncCache<String, String> cache =
      Caffeine.newBuilder()
          .maximumSize(10)
          .expireAfterWrite(Duration.ofMinutes(1))
          .ticker(Caches.ticker(clock))
          .buildAsync();
  private final AtomicInteger loads = new AtomicInteger();

  private String load(String value) {
    loads.incrementAndGet();
    return value;
  }

  @Test
  void loadsOnceAndExpiresByTheClock() throws Exception {
    assertThat(Caches.get(cache, "k", () -> load("one"))).isEqualTo("one");
    assertThat(Caches.get(cache, "k", () -> load("two"))).isEqualTo("one");
    clock.set(clock.instant().plusSeconds(59));
    assertThat(Caches.get(cache, "k", () -> load("two"))).isEqualTo("one");

    clock.set(clock.instant().plusSeconds(1));

    assertThat(Caches.get(cache, "k", () -> load("two"))).isEqualTo("two");
    assertThat(loads).hasValue(2);
  }

  @Test
  void aFailedLoadIsThrownAsItsOwnTypeAndNotKept() throws Exception {
    assertThatThrownBy(
            () ->
                Caches.get(
                    cache,
                    "k",
                    () -> {
                      throw new IOException("refused");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("refused");

    assertThat(Caches.get(cache, "k", () -> load("after"))).isEqualTo("after");
  }

  @Test
  void concurrentCallersForOneKeyShareOneLoadThatBlocksNoOtherKey() throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      Future<String> first =
          pool.submit(
              () ->
                  Caches.get(
                      cache,
                      "slow",
                      () -> {
                        loading.countDown();
                        release.await();
                        return load("slow");
                      }));
      loading.await();
      Future<String> second = pool.submit(() -> Caches.get(cache, "slow", () -> load("again")));

      // another key loads while "slow" is still loading
      assertThat(Caches.get(cache, "other", () -> load("other"))).isEqualTo("other");
      assertThat(second.isDone()).isFalse();

      release.countDown();
      assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
      assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
      assertThat(loads).hasValue(2);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void callersWaitingForAFailedLoadGetItsFailure() throws Exception {
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Thread> waiter = new AtomicReference<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<String> first =
          pool.submit(
              () ->
                  Caches.get(
                      cache,
                      "k",
                      () -> {
                        loading.countDown();
                        release.await();
                        throw new IOException("refused");
                      }));
      loading.await();
      Future<String> second =
          pool.submit(
              () -> {
                waiter.set(Thread.currentThread());
                return Caches.get(cache, "k", () -> load("unused"));
              });
      await().until(() -> waiter.get() != null && waiter.get().getState() == Thread.State.WAITING);

      release.countDown();

      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(IOException.class)
          .hasMessage("refused");
      assertThatThrownBy(() -> second.get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(IOException.class)
          .hasMessage("refused");
      assertThat(loads).hasValue(0);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void reloadKeepsWhatPassesAndReplacesWhatDoesNot() throws Exception {
    Caches.get(cache, "k", () -> load("stale"));

    assertThat(Caches.reload(cache, "k", v -> !v.equals("stale"), () -> load("fresh")))
        .isEqualTo("fresh");
    assertThat(Caches.reload(cache, "k", v -> !v.equals("stale"), () -> load("newer")))
        .isEqualTo("fresh");
    assertThat(Caches.get(cache, "k", () -> load("unused"))).isEqualTo("fresh");
    assertThat(Caches.reload(cache, "absent", v -> true, () -> load("loaded"))).isEqualTo("loaded");
    assertThat(loads).hasValue(3);
  }

  @Test
  void theBoundHolds() throws Exception {
    for (int i = 0; i < 100; i++) {
      String v = "v" + i;
      Caches.get(cache, "k" + i, () -> v);
    }
    cache.synchronous().cleanUp();

    assertThat(cache.synchronous().estimatedSize()).isLessThanOrEqualTo(10);
  }
}
