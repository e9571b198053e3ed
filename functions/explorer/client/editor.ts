// The editor page script (being built).
export {};
