// Jest runs the TypeScript sources as ESM through ts-jest (type checking is done by `tsc` in `npm run lint`).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The .js of an ESM import names the .ts source; #functions/…, #infra/… (…) are package.json's "imports".
  moduleNameMapper: {
    '^#(functions|infra|bench|scripts)/(.*)\\.js$': '<rootDir>/$1/$2',
    '^#schemas/(.*)$': '<rootDir>/schemas/$1',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
  testTimeout: 30000,
};
