/** The colour families of badges and chips (see .badge-* and .tone-* in styles.css). */
export type Tone = 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'violet' | 'accent';
