// Placeholder until the @portcullis/paths issue lands.
export {};
