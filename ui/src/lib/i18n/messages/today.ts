// Strings of the "today" screen.
export const zh = {} as const;

export const en: Record<keyof typeof zh, string> = {};
