# /probe PORT...: waits until every PORT accepts a TCP connection on 127.0.0.1; prints each port once it
# did (its argv string, newline-terminated), exits 0 when all did, 2 on a malformed argument.
    .intel_syntax noprefix
    .globl _start
    .text
_start:
    mov rbx, rsp                # rbx: &argc
round:
    mov r12, [rbx]              # argc
    dec r12                     # ports left to visit this round
    lea r13, [rbx+16]           # &argv[1]
    xor ebp, ebp                # ports still waiting after this round
next:
    test r12, r12
    jz endround
    mov rsi, [r13]
    test rsi, rsi
    jz skip                     # done in an earlier round
    xor eax, eax
parse:
    movzx ecx, byte ptr [rsi]
    test ecx, ecx
    jz parsed
    sub ecx, 48
    cmp ecx, 9
    ja bad
    imul eax, eax, 10
    add eax, ecx
    cmp eax, 65535
    ja bad
    inc rsi
    jmp parse
parsed:
    test eax, eax
    jz bad
    rol ax, 8                   # network byte order
    mov r14d, eax
    mov r15, rsi                # the string's NUL
    mov eax, 41                 # socket(AF_INET, SOCK_STREAM, 0)
    mov edi, 2
    mov esi, 1
    xor edx, edx
    syscall
    test rax, rax
    js bad
    push rax                    # fd
    sub rsp, 16                 # sockaddr_in {AF_INET, port, 127.0.0.1, zero}
    mov word ptr [rsp], 2
    mov word ptr [rsp+2], r14w
    mov dword ptr [rsp+4], 0x0100007f
    mov qword ptr [rsp+8], 0
    mov rdi, [rsp+16]
    mov rsi, rsp
    mov edx, 16
    mov eax, 42                 # connect
    syscall
    add rsp, 16
    pop rdi
    push rax                    # connect's result
    mov eax, 3                  # close(fd)
    syscall
    pop rax
    test rax, rax
    jnz waiting
    mov byte ptr [r15], 10      # print "PORT\n" from argv itself
    mov rsi, [r13]
    mov rdx, r15
    sub rdx, rsi
    inc rdx
    mov edi, 1
    mov eax, 1                  # write
    syscall
    mov qword ptr [r13], 0      # done: skipped from now on
    jmp skip
waiting:
    inc ebp
skip:
    add r13, 8
    dec r12
    jmp next
endround:
    test ebp, ebp
    jz done
    sub rsp, 16                 # nanosleep(50 ms)
    mov qword ptr [rsp], 0
    mov qword ptr [rsp+8], 50000000
    mov rdi, rsp
    xor esi, esi
    mov eax, 35
    syscall
    add rsp, 16
    jmp round
done:
    xor edi, edi
    mov eax, 60
    syscall
bad:
    mov edi, 2
    mov eax, 60
    syscall
