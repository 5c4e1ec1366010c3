import { useEffect, useRef, useState } from 'react';
import { useStore, type Store } from '../store';

/**
 * A store value that re-renders its component at most once per animation frame, however fast
 * the store changes (pushes can arrive every 50 ms with many events; the screen needs one frame).
 */
export function useFrameValue<T>(selector: (s: Store) => T): T {
  const [value, setValue] = useState(() => selector(useStore.getState()));
  const sel = useRef(selector);
  useEffect(() => {
    sel.current = selector;
  });
  useEffect(() => {
    let frame = 0;
    const unsub = useStore.subscribe((s) => {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        setValue(() => sel.current(useStore.getState()));
      });
      void s;
    });
    return () => {
      unsub();
      if (frame) cancelAnimationFrame(frame);
    };
  }, []);
  return value;
}

/** The width of an element, kept current with a ResizeObserver. */
export function useWidth<E extends HTMLElement>(): [React.RefObject<E | null>, number] {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    ro.observe(el);
    setWidth(Math.floor(el.getBoundingClientRect().width));
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}
