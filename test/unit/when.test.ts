import { when, whenDefined } from "../../lib/plan/when";

describe("conditional list entries", () => {
  test("when: the entries in order when the condition holds, none otherwise", () => {
    expect(["a", ...when(true, "b", "c"), "d"]).toEqual(["a", "b", "c", "d"]);
    expect(["a", ...when(false, "b", "c"), "d"]).toEqual(["a", "d"]);
  });

  test("whenDefined: entries made from a present value; an absent one makes none and is never handed on", () => {
    const make = jest.fn((n: number) => [n, n + 1]);
    expect([0, ...whenDefined(1, make)]).toEqual([0, 1, 2]);
    expect([0, ...whenDefined<number, number>(undefined, make)]).toEqual([0]);
    expect(make).toHaveBeenCalledTimes(1);
  });
});
