// Placeholder until the @portcullis/auth issue lands.
export {};
