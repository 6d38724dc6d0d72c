// Placeholder until the case-api issue lands.
export {};
