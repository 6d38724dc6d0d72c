// Placeholder until the @portcullis/ratelimit issue lands.
export {};
