/**
 * Per-request lengths: a service's prompt tokens, output tokens and items, drawn at arrival.
 *
 * Each field that varies draws from its own stream, `service:<name>:<field>` (e.g.
 * `service:chat:input-tokens`), so every policy sees the same lengths, and adding a distribution to one
 * field moves no other draw. A fixed field has no stream and draws nothing: scenarios without distributions
 * keep their output byte for byte.
 */
import type { RandomStream, RandomStreams } from '../engine/index.js';
import type { LengthDist, LengthField, Service } from '../model/types.js';

/** Draws one field's value for one service. */
export class LengthSampler {
  declare private readonly dist: LengthDist;
  declare private readonly stream: RandomStream | null;

  constructor(dist: LengthDist, stream: RandomStream | null) {
    this.dist = dist;
    this.stream = stream;
  }

  /** The value for the service's arrival number `row` (which a trace column is indexed by). */
  draw(row: number): number {
    const d = this.dist;
    const rng = this.stream!;
    switch (d.kind) {
      case 'trace':
        // An arrival past the trace's last row never happens (the trace has run out of times).
        return d.values[row];
      case 'empirical':
        return d.values[Math.floor(rng.uniform() * d.values.length)];
      case 'uniform':
        return rng.integer(d.min, d.max);
      case 'normal':
        return clip(Math.round(d.mean + d.sd * rng.normal()), d.min, d.max);
      case 'lognormal':
        return clip(Math.round(rng.lognormal(d.mean, d.cv)), d.min, d.max);
    }
  }
}

function clip(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}

/** Stream name of a length field: `service:<name>:input-tokens` (dashes, as the other stream names). */
export function lengthStreamName(service: string, field: LengthField): string {
  return `service:${service}:${field.replace('_', '-')}`;
}

/** The samplers of one service, one per field that varies (null for a fixed field). */
export function lengthSamplers(service: Service, streams: RandomStreams): Record<LengthField, LengthSampler | null> {
  const make = (field: LengthField): LengthSampler | null => {
    const d = service.request.lengths[field];
    if (d === null) return null;
    // A trace column draws nothing: no stream.
    return new LengthSampler(d, d.kind === 'trace' ? null : streams.stream(lengthStreamName(service.name, field)));
  };
  return { input_tokens: make('input_tokens'), output_tokens: make('output_tokens'), items: make('items') };
}
