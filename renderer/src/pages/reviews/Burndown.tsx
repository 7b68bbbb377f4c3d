// The campaign page's burndown: items still to decide per day since launch, as a small SVG line
// (with the numbers in a table for screen readers and for anyone who wants them exact).
import type { ReactNode } from 'react';
import type { CampaignProgress } from '../../../../shared/contract-reviews.js';

const W = 520;
const H = 140;
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };

export function Burndown({ points: days, total }: { points: CampaignProgress['burndown']; total: number }): ReactNode {
  if (days.length === 0) return <p className="muted">Nothing decided yet.</p>;
  // The line starts at launch with every item open, so a campaign decided in a day still shows its drop.
  const points = [{ day: 'launch', remaining: total, decided: 0 }, ...days];
  const max = Math.max(total, ...points.map((p) => p.remaining), 1);
  const iw = W - PAD.left - PAD.right;
  const ih = H - PAD.top - PAD.bottom;
  const x = (i: number): number => PAD.left + (points.length === 1 ? iw / 2 : (i / (points.length - 1)) * iw);
  const y = (v: number): number => PAD.top + ih - (v / max) * ih;
  const line = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.remaining).toFixed(1)}`).join(' ');
  const first = points[0];
  const last = points[points.length - 1];
  return (
    <figure className="rv-burndown">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Burndown: ${last?.remaining.toLocaleString() ?? 0} of ${total.toLocaleString()} items left`}>
        <line x1={PAD.left} x2={W - PAD.right} y1={y(0)} y2={y(0)} className="rv-axis" />
        <line x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={y(0)} className="rv-axis" />
        <text x={PAD.left - 6} y={y(max) + 4} textAnchor="end" className="rv-tick">
          {max.toLocaleString()}
        </text>
        <text x={PAD.left - 6} y={y(0)} textAnchor="end" className="rv-tick">
          0
        </text>
        <text x={PAD.left} y={H - 4} className="rv-tick">
          {first?.day}
        </text>
        <text x={W - PAD.right} y={H - 4} textAnchor="end" className="rv-tick">
          {last?.day}
        </text>
        <path d={line} className="rv-line" />
        {points.map((p, i) => (
          <circle key={p.day} cx={x(i)} cy={y(p.remaining)} r={2.5} className="rv-dot">
            <title>{`${p.day}: ${p.remaining.toLocaleString()} left, ${p.decided.toLocaleString()} decided that day`}</title>
          </circle>
        ))}
      </svg>
      <table className="sr-only">
        <caption>Items left per day</caption>
        <tbody>
          {days.map((p) => (
            <tr key={p.day}>
              <th scope="row">{p.day}</th>
              <td>{p.remaining}</td>
              <td>{p.decided}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
