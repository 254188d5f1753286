// One tab stop for a whole table of records: the active row is focusable, arrow keys (and Home, End,
// Page Up, Page Down) move along the rows, Enter or Space opens one. Screen readers hear a grid.
import { useCallback, useRef, useState, type KeyboardEvent } from 'react';

const PAGE_STEP = 10;

export function useGridRows(count: number, onOpen: (index: number) => void) {
  const [active, setActive] = useState(0);
  const rows = useRef<(HTMLElement | null)[]>([]);
  const current = Math.min(active, Math.max(0, count - 1));

  const focusRow = useCallback((index: number) => {
    setActive(index);
    rows.current[index]?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent, index: number) {
    let next: number | null = null;
    if (event.key === 'ArrowDown') next = Math.min(count - 1, index + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, index - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = count - 1;
    else if (event.key === 'PageDown') next = Math.min(count - 1, index + PAGE_STEP);
    else if (event.key === 'PageUp') next = Math.max(0, index - PAGE_STEP);
    else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(index);
      return;
    }
    if (next === null) return;
    event.preventDefault();
    focusRow(next);
  }

  /** Props for row `index`. */
  function rowProps(index: number) {
    return {
      ref: (el: HTMLElement | null) => {
        rows.current[index] = el;
      },
      tabIndex: index === current ? 0 : -1,
      onKeyDown: (event: KeyboardEvent) => onKeyDown(event, index),
      onFocus: () => setActive(index),
      onClick: () => {
        setActive(index);
        onOpen(index);
      },
    };
  }
  return { rowProps, focusRow, active: current };
}

/** Calls onEscape when Esc is pressed anywhere in the window (a record or run is open). */
export function escapeHandler(onEscape: () => void) {
  return (event: globalThis.KeyboardEvent) => {
    if (event.key === 'Escape' && !event.defaultPrevented) onEscape();
  };
}
