// The simulator's virtual clock (lib/harness/sim/clock.ts): timers fire in
// (due time, creation order), cancelled timers never fire, time moves only by
// jumping to the next timer, a test that waits for nothing is a SimDeadlock,
// and real work handed to awaitReal holds the clock still until it is done.

import assert from "node:assert/strict";
import { SimClock, SimDeadlock } from "../../../lib/harness/sim/clock.ts";

/** A promise resolved by a virtual timer `delay_ms` from now. */
function sleep(clock: SimClock, delay_ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(resolve, delay_ms));
}

Deno.test("clock: timers fire by due time, ties in creation order", async () => {
  const clock = new SimClock();
  const fired: string[] = [];
  const at = (name: string) => () => fired.push(`${name}@${clock.now_ms()}`);
  await clock.run(async () => {
    clock.setTimer(at("a5"), 5);
    clock.setTimer(at("b1"), 1);
    clock.setTimer(at("c5"), 5);
    clock.setTimer(at("d0"), 0);
    clock.setTimer(at("e1"), 1);
    clock.setTimer(at("f-neg"), -3); // A negative delay is due now, like 0.
    clock.setTimer(at("g2.5"), 2.5);
    await sleep(clock, 10);
  });
  assert.deepEqual(fired, ["d0@0", "f-neg@0", "b1@1", "e1@1", "g2.5@2.5", "a5@5", "c5@5"]);
});

Deno.test("clock: a timer set while firing at t waits behind timers already due at t", async () => {
  const clock = new SimClock();
  const fired: string[] = [];
  await clock.run(async () => {
    clock.setTimer(() => {
      fired.push("first");
      clock.setTimer(() => fired.push("nested"), 0);
    }, 3);
    clock.setTimer(() => fired.push("second"), 3);
    clock.setTimer(() => fired.push("later"), 3.001);
    await sleep(clock, 4);
  });
  assert.deepEqual(fired, ["first", "second", "nested", "later"]);
});

Deno.test("clock: clearTimer cancels; unknown and fired ids are ignored", async () => {
  const clock = new SimClock();
  const fired: string[] = [];
  await clock.run(async () => {
    const a = clock.setTimer(() => fired.push("a"), 1);
    const b = clock.setTimer(() => fired.push("b"), 2);
    clock.setTimer(() => fired.push("c"), 3);
    assert.equal(clock.pending, 3);
    clock.clearTimer(b);
    assert.equal(clock.pending, 2);
    clock.clearTimer(b); // twice
    clock.clearTimer(12345); // never issued
    await sleep(clock, 1.5);
    clock.clearTimer(a); // already fired
    await sleep(clock, 5);
  });
  assert.deepEqual(fired, ["a", "c"]);
  assert.equal(clock.pending, 0);
  // Fired: a, the 1.5 ms sleep, c, the 5 ms sleep; the cancelled b is not a step.
  assert.equal(clock.steps, 4);
});

Deno.test("clock: time moves only virtually, and only when nothing is left to do now", async () => {
  const clock = new SimClock();
  let steps_seen = 0;
  clock.onStep(() => steps_seen++);
  const seen: number[] = [];
  const result = await clock.run(async () => {
    seen.push(clock.now_ms());
    // A long chain of promises at one instant: the clock stays put.
    for (let i = 0; i < 1000; i++) await Promise.resolve();
    seen.push(clock.now_ms());
    await sleep(clock, 3_600_000); // One virtual hour.
    seen.push(clock.now_ms());
    return "done";
  });
  assert.equal(result, "done");
  assert.deepEqual(seen, [0, 0, 3_600_000]);
  assert.equal(clock.now_ms(), 3_600_000);
  assert.equal(steps_seen, 1);
});

Deno.test("clock: a task that waits for nothing any timer brings is a SimDeadlock", async () => {
  const clock = new SimClock();
  const error = await clock.run(async () => {
    await sleep(clock, 7);
    await new Promise(() => {}); // Never settles.
  }).catch((e) => e);
  assert.ok(error instanceof SimDeadlock, String(error));
  assert.match(error.message, /simulation deadlock at 7\.000 ms/);
});

Deno.test("clock: a cancelled timer cannot save a waiting task from SimDeadlock", async () => {
  const clock = new SimClock();
  const error = await clock.run(async () => {
    await new Promise<void>((resolve) => {
      const id = clock.setTimer(resolve, 5);
      clock.clearTimer(id);
    });
  }).catch((e) => e);
  assert.ok(error instanceof SimDeadlock, String(error));
  assert.match(error.message, /at 0\.000 ms/);
});

Deno.test("clock: the task's own error is rethrown", async () => {
  const clock = new SimClock();
  await assert.rejects(
    clock.run(async () => {
      await sleep(clock, 2);
      throw new Error("boom at 2");
    }),
    /boom at 2/,
  );
  assert.equal(clock.now_ms(), 2);
});

Deno.test("clock: awaitReal holds the clock until real work is done", async () => {
  const clock = new SimClock();
  const events: string[] = [];
  await clock.run(async () => {
    clock.setTimer(() => events.push(`virtual timer @${clock.now_ms()}`), 5);
    // Real I/O that takes real time (a real timer): the loop waits for it
    // instead of declaring a deadlock or firing the virtual timer first.
    const real = new Promise<string>((resolve) => setTimeout(() => resolve("real"), 30));
    const value = await clock.awaitReal(real);
    events.push(`${value} @${clock.now_ms()}`);
    await sleep(clock, 10);
  });
  assert.deepEqual(events, ["real @0", "virtual timer @5"]);
});

Deno.test("clock: awaitReal passes a rejection through and still lets the clock go on", async () => {
  const clock = new SimClock();
  const error = await clock.run(async () => {
    const failing = clock.awaitReal(Promise.reject(new Error("io failed")));
    await failing.catch(() => {});
    await sleep(clock, 1);
    return await failing;
  }).catch((e) => e);
  assert.match(String(error), /io failed/);
  assert.equal(clock.now_ms(), 1);
});
