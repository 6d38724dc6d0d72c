// Placeholder until the @portcullis/policy issue lands.
export {};
