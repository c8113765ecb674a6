/**
 * Runs an async generator up to `depth` items ahead of its consumer, so fetching the next
 * range overlaps writing the current one. Memory stays bounded by `depth` items; an error in
 * the producer surfaces at the consumer's next read.
 */
export async function* prefetch<T>(source: AsyncGenerator<T>, depth: number): AsyncGenerator<T> {
  const buffer: IteratorResult<T>[] = [];
  let failure: { error: unknown } | null = null;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (fn: (() => void) | undefined) => fn?.();
  let stopped = false;

  const producer = (async () => {
    try {
      while (!stopped) {
        if (buffer.length >= depth) {
          await new Promise<void>((r) => {
            wakeProducer = r;
          });
          continue;
        }
        const item = await source.next();
        buffer.push(item);
        wake(wakeConsumer);
        if (item.done) return;
      }
    } catch (error) {
      failure = { error };
      wake(wakeConsumer);
    }
  })();

  try {
    for (;;) {
      if (buffer.length === 0) {
        if (failure) throw (failure as { error: unknown }).error;
        await new Promise<void>((r) => {
          wakeConsumer = r;
        });
        wakeConsumer = undefined;
        continue;
      }
      const item = buffer.shift()!;
      wake(wakeProducer);
      wakeProducer = undefined;
      if (item.done) return;
      yield item.value;
    }
  } finally {
    stopped = true;
    wake(wakeProducer);
    await source.return(undefined).catch(() => undefined);
    await producer.catch(() => undefined);
  }
}
