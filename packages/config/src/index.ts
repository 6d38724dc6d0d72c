// Placeholder until the @portcullis/config issue lands.
export {};
