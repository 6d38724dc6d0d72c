// Placeholder until the @portcullis/baseline issue lands.
export {};
