// Loading placeholders: grey bars in the shape of the text to come, announced once as loading rather
// than read out bar by bar.
import type { CSSProperties, ReactNode } from 'react';

export function Skeleton({ width = '100%', height = 12, style }: { width?: string | number; height?: number; style?: CSSProperties }): ReactNode {
  return <span className="skeleton" aria-hidden="true" style={{ width, height, ...style }} />;
}

/** A few lines of placeholder text, for panels that are loading. */
export function SkeletonLines({ lines = 4, label = 'Loading' }: { lines?: number; label?: string }): ReactNode {
  return (
    <div className="skeleton-lines" role="status" aria-label={label} aria-busy="true">
      {Array.from({ length: lines }, (_, i) => (
        <Skeleton key={i} width={`${90 - ((i * 17) % 40)}%`} />
      ))}
    </div>
  );
}
