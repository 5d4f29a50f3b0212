// Strings of the "household" screen.
export const zh = {} as const;

export const en: Record<keyof typeof zh, string> = {};
