/** The Zoom API client and Zoom's webhook signatures (bottom layer: knows nothing of the product). */
export * from './client';
export * from './webhook';
