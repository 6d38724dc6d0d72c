// Placeholder until the @portcullis/logging issue lands.
export {};
