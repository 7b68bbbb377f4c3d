// The colour names badges and chips share, apart from any component so lib/ helpers (the change
// kinds) can name a tone too.
/** The colour families of badges and chips (see .badge-* and .tone-* in styles.css). */
export type Tone = 'neutral' | 'green' | 'amber' | 'red' | 'blue' | 'violet' | 'accent';
