// Placeholder until the @portcullis/cors issue lands.
export {};
