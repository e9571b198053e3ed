// The plots page script (being built).
export {};
