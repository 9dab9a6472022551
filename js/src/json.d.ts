/** The card geometry shared with the kernel (resolved by the lab extension bundler). */
declare module '*/catalog/geometry.json' {
  const geometry: Record<string, unknown>;
  export default geometry;
}
