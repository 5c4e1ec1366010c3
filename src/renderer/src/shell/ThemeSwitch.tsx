import { THEME_CHOICES, useTheme, type ThemeChoice } from './theme';

const NAMES: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' };

export function ThemeSwitch() {
  const [choice, setChoice] = useTheme();
  return (
    <label className="theme-switch">
      Theme
      <select value={choice} onChange={(e) => setChoice(e.target.value as ThemeChoice)} data-testid="theme-switch">
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {NAMES[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
