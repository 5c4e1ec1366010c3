// The sidebar collapses by itself below 1200 px wide; the toggle overrides that until the window
// crosses the threshold again.
import { useEffect, useState } from 'react';

const NARROW = '(max-width: 1199px)';

export function useSidebarCollapsed(): [boolean, () => void] {
  const [collapsed, setCollapsed] = useState(() => matchMedia(NARROW).matches);
  useEffect(() => {
    const mq = matchMedia(NARROW);
    const onChange = () => setCollapsed(mq.matches);
    mq.addEventListener('change', onChange);
    // The window may have crossed the threshold between the first render and this subscription.
    onChange();
    return () => mq.removeEventListener('change', onChange);
  }, []);
  return [collapsed, () => setCollapsed((c) => !c)];
}
