import { get, ApiError, unauthenticated } from './http';

export const system = {
  /** The online backup of the embedded database (admin): the file, for the browser to save. Errors throw ApiError. */
  backup: async (): Promise<{ blob: Blob; filename: string }> => {
    const res = await fetch('/api/system/backup', { method: 'POST', credentials: 'same-origin' });
    if (!res.ok) {
      const data = await res.json().catch(() => null);
      if (res.status === 401) unauthenticated();
      throw new ApiError(res.status, data?.error?.code ?? 'http_' + res.status, data?.error?.message ?? `${res.status} ${res.statusText}`);
    }
    const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'city-ops-db.tar.gz';
    return { blob: await res.blob(), filename };
  },
  };
