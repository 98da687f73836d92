// Test helper: nock 15 (through @mswjs/interceptors) calls Promise.withResolvers, which Node 20 lacks (Node 22 has it):
// without it every intercepted request fails with "Promise.withResolvers is not a function".
// Import it (for its effect) in any test that uses nock.
const P = Promise as unknown as { withResolvers?: () => unknown };
if (!P.withResolvers) {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };
}
export {};
