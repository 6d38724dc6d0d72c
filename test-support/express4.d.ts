// Types for the "express4" npm alias (express@4 installed beside express@5): the Express 5 types are close enough for tests.
declare module 'express4' {
  import type express from 'express';
  const express4: typeof express;
  export default express4;
}
