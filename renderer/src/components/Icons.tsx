// A handful of 16px stroke icons, inline so nothing is fetched at runtime.
import type { ReactNode, SVGProps } from 'react';

type IconProps = SVGProps<SVGSVGElement> & { size?: number };

function Svg({ size = 16, children, ...rest }: IconProps & { children: ReactNode }): ReactNode {
  return (
    <svg
      width={size}
      height={size}
      viewBox="0 0 16 16"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...rest}
    >
      {children}
    </svg>
  );
}

export const IconDashboard = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <rect x="2" y="2" width="5" height="6" rx="1" />
    <rect x="9" y="2" width="5" height="3.5" rx="1" />
    <rect x="9" y="7.5" width="5" height="6.5" rx="1" />
    <rect x="2" y="10" width="5" height="4" rx="1" />
  </Svg>
);
export const IconDirectory = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <circle cx="6" cy="5.5" r="2.5" />
    <path d="M1.5 13.5c.6-2.4 2.3-3.7 4.5-3.7s3.9 1.3 4.5 3.7" />
    <path d="M10.5 3.2a2.4 2.4 0 0 1 0 4.6M12 9.9c1.3.5 2.1 1.7 2.5 3.6" />
  </Svg>
);
export const IconConnections = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M6.5 9.5l3-3" />
    <path d="M7.5 4.5l1-1a2.8 2.8 0 0 1 4 4l-1 1" />
    <path d="M8.5 11.5l-1 1a2.8 2.8 0 0 1-4-4l1-1" />
  </Svg>
);
export const IconSearch = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <circle cx="7" cy="7" r="4.5" />
    <path d="M10.5 10.5L14 14" />
  </Svg>
);
export const IconClose = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M4 4l8 8M12 4l-8 8" />
  </Svg>
);
export const IconChevronDown = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M4.5 6.5L8 10l3.5-3.5" />
  </Svg>
);
export const IconExternal = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M9 2.5h4.5V7M13.5 2.5L7.5 8.5" />
    <path d="M12 9.5v3a1 1 0 0 1-1 1H3.5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h3" />
  </Svg>
);
export const IconRefresh = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M13.5 8a5.5 5.5 0 1 1-1.6-3.9" />
    <path d="M13.5 2.5v3h-3" />
  </Svg>
);
export const IconPlus = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M8 3v10M3 8h10" />
  </Svg>
);
export const IconCheck = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M3 8.5l3 3 7-7" />
  </Svg>
);
export const IconAlert = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M8 2l6.5 11.5h-13z" />
    <path d="M8 6.5v3M8 11.6v.1" />
  </Svg>
);
export const IconLock = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <rect x="3" y="7" width="10" height="7" rx="1.5" />
    <path d="M5.5 7V5a2.5 2.5 0 0 1 5 0v2" />
  </Svg>
);
export const IconDatabase = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <ellipse cx="8" cy="3.5" rx="5" ry="1.8" />
    <path d="M3 3.5v9c0 1 2.2 1.8 5 1.8s5-.8 5-1.8v-9M3 8c0 1 2.2 1.8 5 1.8S13 9 13 8" />
  </Svg>
);
export const IconMonitor = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <rect x="1.5" y="2.5" width="13" height="8.5" rx="1" />
    <path d="M5.5 14h5M8 11v3" />
  </Svg>
);
export const IconGlobe = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <circle cx="8" cy="8" r="6" />
    <path d="M2 8h12M8 2c1.7 1.8 2.5 3.8 2.5 6S9.7 12.2 8 14c-1.7-1.8-2.5-3.8-2.5-6S6.3 3.8 8 2z" />
  </Svg>
);
export const IconTrash = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M2.5 4h11M6.5 4V2.5h3V4M4 4l.7 9.5h6.6L12 4" />
  </Svg>
);
export const IconPlug = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M5.5 1.5v3M10.5 1.5v3M3.5 4.5h9V7a4.5 4.5 0 0 1-9 0zM8 11.5v3" />
  </Svg>
);
export const IconKey = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <circle cx="5" cy="11" r="3" />
    <path d="M7.2 8.8L14 2M11.5 4.5l1.8 1.8M10 6l1.3 1.3" />
  </Svg>
);

export const IconAudit = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M8 1.8l5 2v3.7c0 3.1-2.1 5.6-5 6.7-2.9-1.1-5-3.6-5-6.7V3.8z" />
    <path d="M5.8 7.8l1.6 1.6 2.9-3" />
  </Svg>
);

export const IconHistory = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M2.5 8a5.5 5.5 0 1 0 1.6-3.9" />
    <path d="M2.5 2.5v2.5H5" />
    <path d="M8 5v3.2l2.2 1.4" />
  </Svg>
);
export const IconCompare = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M2.5 5h9M9 2.5L11.5 5 9 7.5" />
    <path d="M13.5 11h-9M7 8.5L4.5 11 7 13.5" />
  </Svg>
);
export const IconSettings = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M2.5 4.5h6M11.5 4.5h2M2.5 11.5h2M7.5 11.5h6" />
    <circle cx="10" cy="4.5" r="1.5" />
    <circle cx="6" cy="11.5" r="1.5" />
  </Svg>
);

export function IconSort({ dir }: { dir: 'asc' | 'desc' | null }): ReactNode {
  return (
    <svg width="10" height="12" viewBox="0 0 10 12" aria-hidden="true" focusable="false" className="sort-icon">
      <path d="M5 1.5L8.5 5h-7z" fill="currentColor" opacity={dir === 'asc' ? 1 : 0.3} />
      <path d="M5 10.5L1.5 7h7z" fill="currentColor" opacity={dir === 'desc' ? 1 : 0.3} />
    </svg>
  );
}

/** The Latchkey mark: a key whose bow is a shield. */
export function Logo({ size = 22 }: { size?: number }): ReactNode {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <rect width="24" height="24" rx="6" fill="var(--accent)" />
      <circle cx="9" cy="10" r="3.6" fill="none" stroke="#fff" strokeWidth="2" />
      <path d="M11.6 12.6L18 19M15.5 16.5l1.8-1.8M13.6 14.6l1.4-1.4" stroke="#fff" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}
export const IconCatalog = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <rect x="2" y="2" width="5" height="5" rx="1" />
    <rect x="9" y="2" width="5" height="5" rx="1" />
    <rect x="2" y="9" width="5" height="5" rx="1" />
    <path d="M9.5 11.5h4M11.5 9.5v4" />
  </Svg>
);
export const IconRequests = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M3.5 1.5h6l3 3v10h-9z" />
    <path d="M9.5 1.5v3h3M5.5 8.5l1.5 1.5 3-3" />
  </Svg>
);
export const IconReviews = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <rect x="2.5" y="1.5" width="11" height="13" rx="1.5" />
    <path d="M5 5.5l1.2 1.2 2.3-2.3M5 10.5l1.2 1.2 2.3-2.3M10 5.5h1.5M10 10.5h1.5" />
  </Svg>
);
export const IconAttention = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M8 1.8l6.5 11.7h-13z" />
    <path d="M8 6v3.5M8 11.5v.5" />
  </Svg>
);
/** The HR feed: a person's badge with a calendar corner (dated joiners, movers, leavers). */
export const IconHr = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <circle cx="6" cy="5" r="2.5" />
    <path d="M1.5 14c0-2.6 2-4.5 4.5-4.5s4.5 1.9 4.5 4.5" />
    <rect x="10" y="2" width="4.5" height="4.5" rx="0.8" />
    <path d="M10 3.8h4.5" />
  </Svg>
);
export const IconPlans = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <circle cx="3" cy="3.5" r="1.5" />
    <circle cx="3" cy="12.5" r="1.5" />
    <circle cx="13" cy="8" r="1.5" />
    <path d="M4.5 3.5h3.5v9H4.5M8 8h3.5" />
  </Svg>
);
export const IconEvidence = (p: IconProps): ReactNode => (
  <Svg {...p}>
    <path d="M4 1.5h5.5L13 5v9.5H4z" />
    <path d="M9.5 1.5V5H13" />
    <path d="M6.2 10l1.6 1.6 3-3.2" />
  </Svg>
);
