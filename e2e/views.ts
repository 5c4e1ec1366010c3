// The app's views as the e2e specs walk them, and how to open one and wait until it shows.
import type { Page } from '@playwright/test';
import { expect } from './fixtures';

export const VIEW_IDS = ['production', 'events', 'sessions', 'discord', 'engine', 'slots', 'settings'] as const;
export const THEMES = ['light', 'dark'] as const;

export async function openView(page: Page, id: string): Promise<void> {
  await page.getByTestId(`nav-${id}`).click();
  await expect(page.getByTestId(`view-${id}`)).toBeVisible();
}

/** Picks a theme with the shell's switch and waits until the page wears it. */
export async function pickTheme(page: Page, theme: 'light' | 'dark' | 'system'): Promise<void> {
  await page.getByTestId('theme-switch').selectOption(theme);
  await expect(page.locator('html')).toHaveAttribute('data-theme-choice', theme);
}
