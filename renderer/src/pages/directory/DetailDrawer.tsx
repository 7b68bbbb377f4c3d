// The right-hand panel a Directory row opens over its table: Escape or × returns to the table, and
// focus moves into it for keyboard users.
import { useEffect, useRef, type ReactNode } from 'react';
import { IconClose } from '../../components/Icons.js';

/**
 * The right-hand panel that shows one object over its table. Escape or the
 * close button returns to the table; focus moves into the panel when it opens
 * another object so keyboard and screen-reader users land on it.
 */
export function DetailDrawer({
  label,
  objectKey,
  onClose,
  children,
}: {
  /** e.g. "User details" */
  label: string;
  objectKey: string;
  onClose: () => void;
  children: ReactNode;
}): ReactNode {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
    ref.current?.scrollTo({ top: 0 });
  }, [objectKey]);
  return (
    <section
      ref={ref}
      className="drawer"
      aria-label={label}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <button type="button" className="icon-btn drawer-close" aria-label="Close details" onClick={onClose}>
        <IconClose />
      </button>
      {children}
    </section>
  );
}
