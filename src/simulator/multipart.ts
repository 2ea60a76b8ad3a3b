// multipart/form-data parsing for POST /v1/files (busboy). A part is a file when it carries a filename
// (busboy also treats application/octet-stream parts as files; those arrive here without a filename).
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import { ApiError, badRequest } from './errors';

export interface UploadedPart {
  filename: string | undefined;
  mimeType: string;
  content: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, UploadedPart>;
}

export function parseMultipart(req: IncomingMessage, maxFileBytes: number): Promise<MultipartForm> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data/i.test(contentType)) {
    return Promise.reject(badRequest(`Invalid Content-Type header (${contentType || 'none'}), expected multipart/form-data.`));
  }
  return new Promise((resolve, reject) => {
    const form: MultipartForm = { fields: {}, files: {} };
    let tooLarge = false;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: maxFileBytes } });
    } catch (e) {
      reject(badRequest(`Malformed multipart body: ${(e as Error).message}`));
      return;
    }
    parser.on('field', (name, value) => {
      form.fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        tooLarge = true;
      });
      stream.on('end', () => {
        form.files[name] = { filename: info.filename, mimeType: info.mimeType, content: Buffer.concat(chunks) };
      });
    });
    parser.on('error', (e: Error) => reject(badRequest(`Malformed multipart body: ${e.message}`)));
    parser.on('close', () => {
      if (tooLarge) reject(new ApiError(413, `File exceeds the maximum size of ${maxFileBytes} bytes.`));
      else resolve(form);
    });
    req.pipe(parser);
  });
}
